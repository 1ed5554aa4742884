package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import dev.drkit.testkit.PropertyTests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point-in-time restore against a model: random puts, deletes and renames at random times,
 * flushed and compacted at random points; a restore at any instant of the covered range equals
 * the model's state after the last change at or before that instant. Some keys are path
 * prefixes of others ({@code d} and {@code d/x}): a change that would leave one key a path
 * prefix of another is refused and leaves the model as it was; a delete or rename of a key
 * prefix deletes or moves every record below it.
 */
class JournalPropertiesTest {
    private static final String[] PATHS = {"a", "b.txt", "d", "d/x", "d/y", "e", "e/f", "e/f/z", "名前"};

    @TempDir
    Path tmp;

    private int run;

    private record Step(Instant time, Map<String, String> state) {
    }

    @Test
    void restoreAtAnyInstantEqualsTheModelAtThatInstant() {
        PropertyTests.qt(15).forAll(longs().all(), integers().between(1, 40)).checkAssert((seed, ops) -> {
            Random random = new Random(seed);
            Instant t0 = Instant.parse("2026-12-04T10:00:00Z");
            ManualClock clock = ManualClock.at(t0);
            List<Step> steps = new ArrayList<>();
            Map<String, String> model = new TreeMap<>();
            steps.add(new Step(t0, Map.copyOf(model)));
            Path root = tmp.resolve("case" + run++);
            try (SnapshotStore store = SnapshotStores.memory();
                    Repository repo = Repository.init(store, "pw".toCharArray(), JournalTest.options(clock).build())) {
                RecordFeed feed = RecordFeed.named("src", clock);
                try (Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT)) {
                    for (int i = 0; i < ops; i++) {
                        // Ties are common: several changes within one instant.
                        clock.advance(Duration.ofMillis(random.nextInt(4) == 0 ? 0 : random.nextInt(2000)));
                        String path = PATHS[random.nextInt(PATHS.length)];
                        int kind = random.nextInt(10);
                        if (kind < 6) {
                            String content = "v" + i + "-" + "x".repeat(random.nextInt(3) == 0 ? 20_000 : 3);
                            Map<String, String> next = new TreeMap<>(model);
                            next.put(path, content);
                            if (ran(() -> feed.append(path, content.getBytes(StandardCharsets.UTF_8)),
                                    prefixFree(next.keySet()), "append of " + path + " to " + model.keySet())) {
                                model.put(path, content);
                            }
                        } else if (kind < 8) {
                            feed.delete(path);
                            model.remove(path);
                            model.keySet().removeIf(k -> k.startsWith(path + "/"));
                        } else {
                            String target = PATHS[random.nextInt(PATHS.length)];
                            Map<String, String> next = renamed(model, path, target);
                            if (ran(() -> feed.rename(path, target), next != null,
                                    "rename of " + path + " to " + target + " in " + model.keySet())) {
                                model.clear();
                                model.putAll(next);
                            }
                        }
                        steps.add(new Step(clock.instant(), Map.copyOf(model)));
                        int after = random.nextInt(10);
                        if (after < 3) {
                            journal.flush();
                        } else if (after == 3) {
                            journal.compact();
                        }
                    }
                    journal.flush();
                }
                Instant end = repo.latestRestorableInstant();
                long span = Duration.between(t0, end).toMillis();
                for (int k = 0; k < 4; k++) {
                    Instant at = k == 0 ? end
                            : k == 1 ? steps.get(random.nextInt(steps.size())).time()
                            : t0.plusMillis(span == 0 ? 0 : (long) (random.nextDouble() * span));
                    Map<String, String> expected = Map.of();
                    for (Step s : steps) {
                        if (!s.time().isAfter(at)) {
                            expected = s.state();
                        }
                    }
                    Path out = root.resolve("at" + k);
                    repo.restore(at, out, RestoreOptions.all());
                    assertThat(JournalTest.read(out.resolve("src")))
                            .as("seed %d, %d ops, restore at %s (QuickTheories seed %d)", seed, ops, at,
                                    PropertyTests.seed())
                            .isEqualTo(expected);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
        });
    }

    /** Runs a change the model allows or refuses: a refusal is {@code ALREADY_EXISTS}; returns whether it ran. */
    private static boolean ran(Runnable change, boolean allowed, String what) {
        try {
            change.run();
        } catch (DrException e) {
            assertThat(e.code()).as(what).isEqualTo(ErrorCode.ALREADY_EXISTS);
            assertThat(allowed).as("%s was refused: %s", what, e.getMessage()).isFalse();
            return false;
        }
        assertThat(allowed).as("%s was accepted", what).isTrue();
        return true;
    }

    /** Whether no key is a path prefix of another, as files and the directories above them. */
    private static boolean prefixFree(Set<String> keys) {
        for (String k : keys) {
            for (int i = k.indexOf('/'); i > 0; i = k.indexOf('/', i + 1)) {
                if (keys.contains(k.substring(0, i))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The records after a rename as a file system does it: a record moves onto its new key,
     * replacing one there; a key prefix's records move below the new key, which must be free
     * (nothing at, below or above it). Returns null when the rename must be refused.
     */
    private static Map<String, String> renamed(Map<String, String> model, String from, String to) {
        Map<String, String> next = new TreeMap<>(model);
        if (model.containsKey(from)) {
            next.put(to, next.remove(from));
            return prefixFree(next.keySet()) ? next : null;
        }
        Map<String, String> moved = new TreeMap<>();
        model.forEach((k, v) -> {
            if (k.startsWith(from + "/")) {
                moved.put(to + k.substring(from.length()), v);
                next.remove(k);
            }
        });
        if (moved.isEmpty() || from.equals(to)) {
            return new TreeMap<>(model);
        }
        for (String staying : next.keySet()) {
            if (staying.equals(to) || staying.startsWith(to + "/") || to.startsWith(staying + "/")) {
                return null;
            }
        }
        next.putAll(moved);
        return next;
    }
}
