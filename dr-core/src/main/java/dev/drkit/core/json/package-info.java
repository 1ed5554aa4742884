/**
 * The JSON mappers that DR Kit's modules share ({@link dev.drkit.core.json.JsonMappers}), so that
 * every file, payload and line the kit writes or reads is handled with one configuration.
 */
@NullMarked
package dev.drkit.core.json;

import org.jspecify.annotations.NullMarked;
