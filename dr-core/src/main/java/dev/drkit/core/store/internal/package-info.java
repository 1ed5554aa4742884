/** The built-in memory and file system stores and their providers. */
@NullMarked
package dev.drkit.core.store.internal;

import org.jspecify.annotations.NullMarked;
