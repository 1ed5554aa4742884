package dev.drkit.storage.azure;

import com.azure.core.credential.TokenCredential;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.core.store.remote.RemoteStoreUri;
import java.net.URI;
import java.util.Base64;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where the blob service is and how to sign in to it: credentials for a store URI taken from
 * the environment ({@code AZURE_STORAGE_*}), and the endpoint a connection string names.
 */
final class AzureConnections {
    private static final String CONNECTION_STRING_VARIABLE = AzureBlobStoreConfig.CONNECTION_STRING_VARIABLE;

    private AzureConnections() {
    }

    /**
     * Gives a builder the credentials for a store URI: with no endpoint, the connection string;
     * with one, the account key, else the SAS token, else the connection string.
     *
     * @throws DrException {@code INVALID_CONFIG} when the environment holds none that fit
     */
    static void credentials(AzureBlobStoreConfig.Builder b, RemoteStoreUri read, Map<String, String> environment) {
        URI endpoint = read.endpoint();
        String connectionString = nonBlank(environment.get(CONNECTION_STRING_VARIABLE));
        if (endpoint == null) {
            if (connectionString == null) {
                String account = nonBlank(environment.get("AZURE_STORAGE_ACCOUNT"));
                if (nonBlank(environment.get("AZURE_STORAGE_KEY")) != null
                        || nonBlank(environment.get("AZURE_STORAGE_SAS_TOKEN")) != null) {
                    String variable = nonBlank(environment.get("AZURE_STORAGE_KEY")) != null ? "AZURE_STORAGE_KEY"
                            : "AZURE_STORAGE_SAS_TOKEN";
                    throw new DrException(ErrorCode.INVALID_CONFIG, "No endpoint for " + read.where() + ": "
                            + variable + " is set, but it is used with ?endpoint= only (without one, only "
                            + CONNECTION_STRING_VARIABLE + " is read); add ?endpoint=https://"
                            + (account == null ? "ACCOUNT" : account) + ".blob.core.windows.net for Azure"
                            + " (or the emulator's, such as http://127.0.0.1:10000/devstoreaccount1)", read.where());
                }
                throw new DrException(ErrorCode.INVALID_CONFIG, "No credentials for " + read.where() + ": set "
                        + CONNECTION_STRING_VARIABLE + ", or give ?endpoint= with AZURE_STORAGE_KEY", read.where());
            }
            b.connectionString(connectionString);
            return;
        }
        if (endpoint.getRawQuery() != null) {
            throw read.options().invalid("endpoint",
                    "must not carry a query (put a SAS token in AZURE_STORAGE_SAS_TOKEN)");
        }
        b.endpoint(endpoint);
        String key = nonBlank(environment.get("AZURE_STORAGE_KEY"));
        String sas = nonBlank(environment.get("AZURE_STORAGE_SAS_TOKEN"));
        if (key != null) {
            String account = environment.getOrDefault("AZURE_STORAGE_ACCOUNT", accountOf(endpoint));
            if (account == null) {
                throw read.options().invalid("endpoint", "names no account; set AZURE_STORAGE_ACCOUNT");
            }
            if (!isBase64(key)) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "AZURE_STORAGE_KEY is not an account key for "
                        + read.where() + ": it must be base64, as the portal shows it (value not shown)",
                        "AZURE_STORAGE_KEY");
            }
            b.sharedKey(account, key);
        } else if (sas != null) {
            b.sasToken(sas);
        } else if (connectionString != null) {
            b.connectionString(connectionString);
        } else {
            throw new DrException(ErrorCode.INVALID_CONFIG, "No credentials for " + read.where() + ": set "
                    + "AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or " + CONNECTION_STRING_VARIABLE, read.where());
        }
    }

    /**
     * Checks that the credentials are of exactly one kind: a connection string, or an endpoint
     * with a shared key, a token credential or a SAS token.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming {@code credentials} (or the empty value)
     */
    static void requireOneKind(@Nullable String connectionString, @Nullable URI endpoint, @Nullable String accountName,
            @Nullable String accountKey, @Nullable TokenCredential tokenCredential, @Nullable String sasToken) {
        if (connectionString != null) {
            notEmpty("connectionString", connectionString);
        }
        if (sasToken != null) {
            notEmpty("sasToken", sasToken);
        }
        int credentials = (accountKey != null ? 1 : 0) + (tokenCredential != null ? 1 : 0) + (sasToken != null ? 1 : 0);
        if (connectionString == null && endpoint == null) {
            throw DrException.invalidArgument("credentials", "need a connection string or an endpoint", "neither");
        }
        if (connectionString == null && credentials != 1) {
            throw DrException.invalidArgument("credentials",
                    "need exactly one of an account key, a token credential or a SAS token with an endpoint",
                    credentials + " given");
        }
        if (connectionString != null && credentials != 0) {
            throw DrException.invalidArgument("credentials",
                    "come either from the connection string or from a key, token or SAS", "both");
        }
        if ((accountKey == null) != (accountName == null)) {
            throw DrException.invalidArgument("sharedKey", "needs an account and a key", "one of them");
        }
    }

    /**
     * Refuses a blank value.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the field
     */
    static String notEmpty(String field, String value) {
        if (value.isBlank()) {
            throw DrException.invalidArgument(field, "must not be empty", "\"\"");
        }
        return value;
    }

    /** The account of an endpoint: the first path segment for emulators, else the first host label. */
    static @Nullable String accountOf(URI endpoint) {
        String path = endpoint.getPath() == null ? "" : endpoint.getPath().replaceAll("^/+|/+$", "");
        if (!path.isEmpty()) {
            return path.split("/")[0];
        }
        String host = endpoint.getHost();
        int dot = host.indexOf('.');
        return dot > 0 && !Character.isDigit(host.charAt(0)) ? host.substring(0, dot) : null;
    }

    /** The blob endpoint a connection string names, redacted, else the account's default one. */
    static @Nullable String blobEndpointOf(@Nullable String connectionString) {
        if (connectionString == null) {
            return null;
        }
        String account = null;
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? "" : part.substring(0, eq).trim();
            if (name.equalsIgnoreCase("BlobEndpoint")) {
                return RedactedUri.of(part.substring(eq + 1).trim());
            }
            if (name.equalsIgnoreCase("AccountName")) {
                account = part.substring(eq + 1).trim();
            }
        }
        return account == null ? null : "https://" + account + ".blob.core.windows.net";
    }

    /** Whether an account key is base64, as Azure gives it. */
    static boolean isBase64(String key) {
        try {
            Base64.getDecoder().decode(key.trim());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static @Nullable String nonBlank(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
