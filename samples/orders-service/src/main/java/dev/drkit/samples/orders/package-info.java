/**
 * A small Spring Boot service that uses the DR Kit starter the way a user would.
 */
@NullMarked
package dev.drkit.samples.orders;

import org.jspecify.annotations.NullMarked;
