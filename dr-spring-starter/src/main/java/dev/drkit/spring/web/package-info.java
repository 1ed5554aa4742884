/**
 * The Alertmanager webhook: alerts in, incidents, rollbacks and recovery plans out.
 */
@NullMarked
package dev.drkit.spring.web;

import org.jspecify.annotations.NullMarked;
