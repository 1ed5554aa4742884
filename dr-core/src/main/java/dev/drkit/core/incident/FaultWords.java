package dev.drkit.core.incident;

import dev.drkit.api.incident.FaultType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Words that point to a fault type, tried in order. */
final class FaultWords {
    private static final Map<Pattern, FaultType> WORDS = new LinkedHashMap<>();

    static {
        WORDS.put(Pattern.compile("breach|unauthori[sz]ed|tamper|intrusion|ddos|denial of service|leak"),
                FaultType.SECURITY);
        WORDS.put(Pattern.compile("corrupt|data loss|lost data|checksum|inconsisten|deleted"), FaultType.DATA);
        WORDS.put(Pattern.compile("disk|hardware|power|memory error|ecc|host down|node down"), FaultType.HARDWARE);
        WORDS.put(Pattern.compile("network|dns|partition|unreachable|packet loss|latency|connection refused|tls"),
                FaultType.NETWORK);
    }

    private FaultWords() {
    }

    static FaultType match(String lowerCaseText) {
        for (Map.Entry<Pattern, FaultType> w : WORDS.entrySet()) {
            if (w.getKey().matcher(lowerCaseText).find()) {
                return w.getValue();
            }
        }
        return FaultType.SOFTWARE;
    }
}
