/**
 * The repository engine's insides: chunking, sealing, packs, indexes, trees and the backup and restore pipelines.
 */
@NullMarked
package dev.drkit.core.repository.internal;

import org.jspecify.annotations.NullMarked;
