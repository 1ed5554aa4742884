/**
 * Real servers for store tests: {@link dev.drkit.test.server.ExternalServer} is the life cycle
 * they share (a free loopback port, a data directory that survives a stop, stop and restart),
 * and {@link dev.drkit.test.server.ExternalServerExtension} starts one per test run.
 */
@NullMarked
package dev.drkit.test.server;

import org.jspecify.annotations.NullMarked;
