/** ArchUnit rules that keep DR Kit's modules and plugins apart: who may use whose internals. */
@NullMarked
package dev.drkit.test.architecture;

import org.jspecify.annotations.NullMarked;
