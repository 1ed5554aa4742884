/**
 * A fleet of real processes for acceptance tests of coordination: {@link
 * dev.drkit.test.fleet.FleetMember} is the body of one instance (a coordinated guard and a fenced
 * writer), {@link dev.drkit.test.fleet.FleetScenario} starts several as JVMs and runs the
 * fleet-wide rollback, failover, fencing and outage checks against them, whatever the coordinator.
 */
@NullMarked
package dev.drkit.test.fleet;

import org.jspecify.annotations.NullMarked;
