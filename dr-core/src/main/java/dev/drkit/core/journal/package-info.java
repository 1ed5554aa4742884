/**
 * Built-in change feeds for continuous protection: {@link dev.drkit.core.journal.DirectoryFeed}
 * watches a directory tree, {@link dev.drkit.core.journal.RecordFeed} takes an application's own
 * keyed records.
 */
@NullMarked
package dev.drkit.core.journal;

import org.jspecify.annotations.NullMarked;
