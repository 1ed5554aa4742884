/**
 * Spring Security integration of DR Kit: who may read and change things through the dr endpoint.
 */
@NullMarked
package dev.drkit.spring.security;

import org.jspecify.annotations.NullMarked;
