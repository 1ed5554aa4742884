package dev.drkit.api.coordination;

/** A registration that can be cancelled: a watch or a campaign. */
public interface Subscription extends AutoCloseable {

    /** Cancels the registration; no call reaches its listener afterwards. Closing twice does nothing more. */
    @Override
    void close();
}
