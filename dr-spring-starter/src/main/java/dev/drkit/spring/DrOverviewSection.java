package dev.drkit.spring;

import java.util.Map;

/**
 * A section of {@code GET /actuator/dr}'s overview contributed by an optional part of the
 * starter (such as the PostgreSQL streaming of dr-postgres), so that the endpoint needs none
 * of that part's classes.
 */
public interface DrOverviewSection {
    /**
     * Returns the section's key in the overview.
     *
     * @return a key such as {@code postgres}
     */
    String sectionName();

    /**
     * Returns the section's current content.
     *
     * @return values that serialize to JSON
     */
    Map<String, Object> sectionView();
}
