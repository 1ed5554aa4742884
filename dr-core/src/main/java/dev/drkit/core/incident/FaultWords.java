package dev.drkit.core.incident;

import dev.drkit.api.incident.FaultType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Guesses a fault type from free text, such as an incident's title, and says which words decided it.
 *
 * <p>Terms match whole words (with the plurals and endings each term lists), so "Diskless" is
 * not "disk" and "memory leak" is not a security leak; words run together as alert names run
 * them ("NodeDown", "DNSFailures") are read apart, and "power" counts only in phrases such as
 * "power outage" or "lost power", so "PowerShell" is no hardware fault. A term is set aside when a negation
 * comes up to three words before it in the same clause ("no corruption", "not a network
 * problem", "without packet loss"), when a word of good health follows it within two words
 * ("latency dashboards fine", "disks healthy"), or anywhere when the text calls itself a false
 * alarm. Each class scores the weights of its distinct terms left (2 for a term that names the
 * class by itself, such as "ransomware" or "fire", 1 for a hint such as "disk"); the highest
 * score wins, ties going to the class listed first (SECURITY, DATA, HARDWARE, NETWORK,
 * SOFTWARE). Without any term left the guess is SOFTWARE, the default.
 */
final class FaultWords {
    /** The guess when no term is left. */
    static final FaultType DEFAULT = FaultType.SOFTWARE;

    private record Term(Pattern pattern, int weight) {
    }

    private static final Map<FaultType, List<Term>> TERMS = new EnumMap<>(FaultType.class);

    /** Negations that set aside a term up to three words after them in the same clause. */
    private static final Set<String> NEGATIONS = Set.of("no", "not", "without", "never", "none", "nothing", "nor",
            "neither", "zero");
    /** Words of good health that set aside a term up to two words before them in the same clause. */
    private static final Set<String> HEALTHY = Set.of("fine", "ok", "okay", "normal", "healthy", "green", "nominal",
            "unaffected", "unchanged");
    private static final Pattern FALSE_ALARM = Pattern.compile(
            "\\bfalse (?:alarm|alarms|alert|alerts|positive|positives)\\b");
    private static final Pattern CLAUSE = Pattern.compile("[.,;:!?()\\[\\]]+|\\s+but\\s+|\\s+-+\\s+|\\n");
    private static final Pattern WORD = Pattern.compile("[a-z0-9]+");
    /** A capital that starts a word after a small letter or a digit: NodeDown; not the S of DDoS. */
    private static final Pattern CAMEL = Pattern.compile("(\\p{Ll}|\\d)(\\p{Lu}\\p{Ll})");
    /** A capital that starts a word after an acronym: DNSFailures; not the Do of DDoS. */
    private static final Pattern CAMEL_ACRONYM = Pattern.compile("(\\p{Lu})(\\p{Lu}\\p{Ll}{2,})");

    static {
        // The order here is the order of ties.
        TERMS.put(FaultType.SECURITY, terms(
                2, "ransomware", "malware", "spyware", "trojans?", "rootkits?", "backdoors?", "(?:crypto ?)?miners?",
                2, "breach(?:es|ed)?", "unauthori[sz]ed", "tamper(?:s|ed|ing)?", "intrusions?", "intruders?",
                2, "d?dos", "denial of service", "attack(?:s|ed|er|ers)?", "hack(?:s|ed|er|ers)?", "compromised?",
                2, "exploit(?:s|ed)?", "phishing", "exfiltrat(?:e|ed|ion)", "vulnerabilit(?:y|ies)", "cve",
                2, "(?:data|credential|credentials|secret|secrets|key|keys|token|tokens|password|passwords) lea(?:k|ks|ked)",
                2, "lea(?:k|ks|ked) (?:credentials?|secrets?|keys?|tokens?|passwords?)", "brute force",
                2, "credential stuffing", "privilege escalation", "suspicious logins?", "viruses", "virus",
                1, "security", "firewall"));
        TERMS.put(FaultType.DATA, terms(
                2, "corrupt(?:s|ed|ion|ions)?", "data loss", "lost data", "data lost", "checksums?(?: mismatch)?",
                2, "inconsisten(?:t|cy|cies)", "bit ?rot", "dropped tables?", "missing (?:rows|records|data)",
                2, "wrong data", "stale data", "duplicate (?:rows|records)", "integrity",
                1, "deleted", "truncated", "replication lag", "lost (?:rows|records|writes)"));
        TERMS.put(FaultType.HARDWARE, terms(
                2, "hardware", "fire", "flood(?:s|ed|ing)?", "earthquake", "power (?:outage|cut|failure|loss)",
                2, "(?:lost|no) power", "power supply", "psu", "ecc", "memory errors?", "dimms?", "disk failures?",
                2, "(?:failed|failing|dead) (?:disks?|drives?|ssds?|nodes?|hosts?)", "overheat(?:s|ed|ing)?",
                2, "cooling", "hvac", "generator", "host down", "node down", "hosts down", "nodes down",
                1, "disks?", "drives?", "ssds?", "hdds?", "nvme", "raid", "data cent(?:re|er|res|ers)",
                1, "datacent(?:re|er|res|ers)", "racks?", "firmware", "nics?", "fans?"));
        TERMS.put(FaultType.NETWORK, terms(
                2, "network(?:s|ing)?", "dns", "packet loss", "unreachable", "connection (?:refused|reset|timeouts?)",
                2, "connectivity", "bgp", "routing", "load balancers?", "vpn", "network partition",
                1, "partition(?:s|ed)?", "latency", "tls", "ssl", "certificates?", "jitter", "bandwidth", "router",
                1, "routers", "gateway timeouts?", "timeouts?", "timed out"));
        TERMS.put(FaultType.SOFTWARE, terms(
                2, "bugs?", "regressions?", "deploy(?:s|ed|ment|ments)?", "releases?", "rollouts?", "rolled out",
                2, "misconfigur(?:ed|ation)", "config(?:uration)? change", "[a-z]*exceptions?", "stack ?traces?",
                2, "null ?pointer", "npe", "memory leaks?", "out of memory", "oom", "segfaults?", "deadlocks?",
                1, "crash(?:es|ed|ing)?", "5xx", "500s?", "503s?", "errors?", "config(?:uration)?", "upgrade",
                1, "feature flags?", "jobs? failed", "failed jobs?"));
    }

    /** Terms in groups, each group led by its weight. */
    private static List<Term> terms(Object... weightsAndTerms) {
        List<Term> out = new ArrayList<>();
        int weight = 1;
        for (Object o : weightsAndTerms) {
            if (o instanceof Integer w) {
                weight = w;
            } else {
                out.add(new Term(Pattern.compile("\\b(?:" + o + ")\\b"), weight));
            }
        }
        return List.copyOf(out);
    }

    /**
     * A guess and its reasons.
     *
     * @param type the fault type
     * @param words the terms that decided it, as they appear in the text; empty for the default
     * @param setAside the terms that matched but were negated, each with why
     */
    record Guess(FaultType type, List<String> words, List<String> setAside) {
        /** Says, for a timeline, which words decided the guess. */
        String reason() {
            StringBuilder sb = new StringBuilder();
            if (words.isEmpty()) {
                sb.append("no fault words, so the default ").append(type);
            } else {
                sb.append("words ").append(quoted(words)).append(" point to ").append(type);
            }
            if (!setAside.isEmpty()) {
                sb.append("; set aside ").append(String.join(", ", setAside));
            }
            return sb.toString();
        }

        private static String quoted(List<String> words) {
            List<String> q = new ArrayList<>();
            words.forEach(w -> q.add("'" + w + "'"));
            return String.join(", ", q);
        }
    }

    private FaultWords() {
    }

    /**
     * Guesses the fault type of a text.
     *
     * @param text any text; case does not matter
     * @return the guess
     */
    static Guess guess(String text) {
        // alert names run words together: NodeDown, DNSFailures, PostgresReplicationLag
        String apart = CAMEL_ACRONYM.matcher(CAMEL.matcher(text).replaceAll("$1 $2")).replaceAll("$1 $2");
        String lower = apart.toLowerCase(Locale.ROOT).replace('\u2019', '\'').replace("n't", " not");
        boolean falseAlarm = FALSE_ALARM.matcher(lower).find();
        Map<FaultType, Integer> score = new EnumMap<>(FaultType.class);
        Map<FaultType, Set<String>> found = new EnumMap<>(FaultType.class);
        Set<String> setAside = new LinkedHashSet<>();
        for (String clause : CLAUSE.split(lower)) {
            List<String> words = new ArrayList<>();
            Matcher w = WORD.matcher(clause);
            while (w.find()) {
                words.add(w.group());
            }
            String norm = String.join(" ", words);
            for (Map.Entry<FaultType, List<Term>> e : TERMS.entrySet()) {
                for (Term t : e.getValue()) {
                    Matcher m = t.pattern().matcher(norm);
                    while (m.find()) {
                        String hit = m.group();
                        String why = falseAlarm ? "a false alarm" : negation(norm, m.start(), m.end());
                        if (why != null) {
                            setAside.add("'" + hit + "' (" + why + ")");
                        } else if (found.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>()).add(hit)) {
                            score.merge(e.getKey(), t.weight(), Integer::sum);
                        }
                    }
                }
            }
        }
        FaultType best = null;
        for (FaultType t : TERMS.keySet()) {
            if (score.containsKey(t) && (best == null || score.get(t) > score.get(best))) {
                best = t;
            }
        }
        if (best == null) {
            return new Guess(DEFAULT, List.of(), List.copyOf(setAside));
        }
        return new Guess(best, List.copyOf(found.get(best)), List.copyOf(setAside));
    }

    /** Why the term at [start, end) of a clause (words joined by single spaces) is negated, or null. */
    private static String negation(String clause, int start, int end) {
        String[] before = clause.substring(0, start).trim().split(" ");
        for (int i = before.length - 1; i >= 0 && i >= before.length - 3; i--) {
            if (NEGATIONS.contains(before[i])) {
                return "after '" + before[i] + "'";
            }
        }
        String[] after = clause.substring(end).trim().split(" ");
        for (int i = 0; i < after.length && i < 2; i++) {
            if (HEALTHY.contains(after[i])) {
                return "then '" + after[i] + "'";
            }
        }
        return null;
    }

    /**
     * Guesses the fault type of a text.
     *
     * @param text any text; case does not matter
     * @return the fault type, {@link #DEFAULT} when no word points anywhere
     */
    static FaultType match(String text) {
        return guess(text).type();
    }
}
