/**
 * Recovery plans written as JSON or YAML files, read into the same {@link dev.drkit.core.recovery.Plan}
 * that the Java builder makes, with built-in step kinds; see {@link dev.drkit.core.recovery.file.PlanFileReader}.
 */
@NullMarked
package dev.drkit.core.recovery.file;

import org.jspecify.annotations.NullMarked;
