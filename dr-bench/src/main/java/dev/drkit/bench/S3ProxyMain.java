package dev.drkit.bench;

import dev.drkit.storage.s3.S3ProxyServer;
import java.util.concurrent.CountDownLatch;

/**
 * Runs S3Proxy on loopback (the server of the store's tests, with the bucket {@code dr-tests})
 * until the process is ended, for scripts that drive the CLI against S3, such as
 * {@code dr-bench/scripts/rpo/rpo-harness.sh}. Prints {@code endpoint=}, {@code accessKey=},
 * {@code secretKey=} and {@code directory=} (where the bucket's objects are files), one a line.
 */
public final class S3ProxyMain {
    private S3ProxyMain() {
    }

    /**
     * Starts the server and waits.
     *
     * @param args none
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        S3ProxyServer server = S3ProxyServer.start();
        System.out.println("endpoint=" + server.endpoint());
        System.out.println("accessKey=" + S3ProxyServer.ACCESS_KEY);
        System.out.println("secretKey=" + S3ProxyServer.SECRET_KEY);
        System.out.println("directory=" + server.directory());
        System.out.println("bucket=" + S3ProxyServer.BUCKET);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
