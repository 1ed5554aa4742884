package dev.drkit.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

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
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point-in-time restore against a model: random puts, deletes and renames at random times,
 * flushed and compacted at random points; a restore at any instant of the covered range equals
 * the model's state after the last change at or before that instant.
 */
class JournalPropertiesTest {
    private static final String[] PATHS = {"a", "b.txt", "d/x", "d/y", "e/f/z", "名前"};

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
                            feed.append(path, content.getBytes(StandardCharsets.UTF_8));
                            model.put(path, content);
                        } else if (kind < 8) {
                            feed.delete(path);
                            model.remove(path);
                        } else {
                            String target = PATHS[random.nextInt(PATHS.length)];
                            feed.rename(path, target);
                            String moved = model.remove(path);
                            if (moved != null) {
                                model.put(target, moved);
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
}
