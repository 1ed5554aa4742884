/**
 * The DR Kit service provider interface: the types that every other module and every plugin
 * agrees on. Nothing here depends on anything outside the JDK (and JSpecify's annotations).
 *
 * <p>{@link dev.drkit.api.DrException} is the one exception family; each subpackage holds one
 * concern: {@code health}, {@code rollback}, {@code backup}, {@code store}, {@code recovery},
 * {@code incident} and {@code audit}.
 */
@NullMarked
package dev.drkit.api;

import org.jspecify.annotations.NullMarked;
