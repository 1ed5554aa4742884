/**
 * Actuator integration of DR Kit: the {@code dr} endpoint, health contributors, Micrometer binders and secret masking.
 */
@NullMarked
package dev.drkit.spring.actuate;

import org.jspecify.annotations.NullMarked;
