package dev.drkit.postgres.internal;

import java.util.List;

/**
 * Where streamed WAL is kept: a chunk is durable once {@link #append} returns, and only then
 * is the replication slot told it may let the server recycle that WAL.
 */
public interface WalSink {
    /**
     * Stores a chunk durably.
     *
     * @param chunk what the chunk describes; its id is ignored
     * @param bytes the WAL bytes from {@code chunk.start()} to {@code chunk.end()}
     * @return the stored chunk, with its id
     */
    WalChunk append(WalChunk chunk, byte[] bytes);

    /**
     * Lists the stored chunks of a cluster, by start position.
     *
     * @param systemId the cluster's system identifier
     * @return the chunks
     */
    List<WalChunk> chunks(String systemId);

    /**
     * Reads a stored chunk's bytes.
     *
     * @param chunk a chunk from {@link #chunks}
     * @return its bytes
     */
    byte[] read(WalChunk chunk);
}
