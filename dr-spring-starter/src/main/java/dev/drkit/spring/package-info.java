/**
 * Spring Boot 4 auto-configuration for DR Kit: {@code dr.*} properties, the {@code dr} actuator endpoint, health contributors, Micrometer binders and the Alertmanager webhook.
 */
@NullMarked
package dev.drkit.spring;

import org.jspecify.annotations.NullMarked;
