/**
 * Implementation of the store-backed coordinator: the lease, shared-state and membership
 * protocols and the text codecs of the objects they keep in the store.
 */
@NullMarked
package dev.drkit.core.coordination.internal;

import org.jspecify.annotations.NullMarked;
