/**
 * What every face of the configuration (the Java builders, {@code rollback_config.json}, the
 * Spring properties) shares: help for a user who misspelt a setting's name.
 */
@NullMarked
package dev.drkit.core.config;

import org.jspecify.annotations.NullMarked;
