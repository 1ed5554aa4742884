/** The parts behind the PostgreSQL facades: server checks, WAL storage, WAL layout and scanning. */
@NullMarked
package dev.drkit.postgres.internal;

import org.jspecify.annotations.NullMarked;
