/**
 * What every face of the configuration (the Java builders, {@code rollback_config.json}, plan
 * files, the Spring properties, the command line) shares: help for a user who misspelt a
 * setting's name, and the text form of durations.
 */
@NullMarked
package dev.drkit.core.config;

import org.jspecify.annotations.NullMarked;
