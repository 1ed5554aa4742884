/**
 * Reports for people and machines: runbooks generated from plans and post-incident reports with measured RTO and RPO and rule-based improvement suggestions, in Markdown and JSON.
 */
@NullMarked
package dev.drkit.core.report;

import org.jspecify.annotations.NullMarked;
