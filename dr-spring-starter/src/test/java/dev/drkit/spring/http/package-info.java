/** Tests of the starter over real HTTP. */
@NullMarked
package dev.drkit.spring.http;

import org.jspecify.annotations.NullMarked;
