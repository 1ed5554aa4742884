package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.KeyInfo;
import dev.drkit.core.repository.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dr key}: adds, lists and removes the passwords that open a repository. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Manage the repository's keys (passwords).",
        subcommands = {KeyCommand.Add.class, KeyCommand.ListKeys.class, KeyCommand.Remove.class})
final class KeyCommand {

    /** {@code dr key add}: wraps the master key with one more password. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a password, read from --new-password-file or $DR_NEW_PASSWORD.")
    static final class Add extends RepositoryCommand {
        @Option(names = "--new-password-file", paramLabel = "FILE") Path newPasswordFile;

        @Override
        int run(SnapshotStore store) {
            char[] added = newPassword();
            try (Repository repo = open(store)) {
                refuseKnownPassword(store, added);
                String id = repo.addKey(added);
                if (json) {
                    CliJson.print(out(), Map.of("added", id));
                } else {
                    out().println("added key " + id);
                }
            } finally {
                Arrays.fill(added, '\0');
            }
            return DrCommand.EXIT_OK;
        }

        /**
         * Refuses a new password that opens a key already: another key file for it would change
         * nothing (the library adds one anyway), and an operator who meant to rotate a password
         * would believe the new one was set. Costs a key derivation per key, as opening with a
         * wrong password does. A password that opens no key, or that cannot be tried against
         * every key (a damaged key file), is added as before.
         */
        private void refuseKnownPassword(SnapshotStore store, char[] added) {
            String existing;
            char[] attempt = added.clone();
            try (Repository same = Repository.open(store, attempt)) {
                existing = same.keys().stream().filter(KeyInfo::current).map(KeyInfo::id).findFirst().orElse("?");
            } catch (DrException e) {
                return; // WRONG_PASSWORD: a new password; else the library's addKey decides
            } finally {
                Arrays.fill(attempt, '\0');
            }
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "The new password opens key " + existing
                    + " already; nothing added (give a password that no key has)", "DR_NEW_PASSWORD");
        }

        private char[] newPassword() {
            if (newPasswordFile != null) {
                try {
                    String line = Files.readString(newPasswordFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
                    if (!line.isEmpty()) {
                        return line.toCharArray();
                    }
                } catch (IOException e) {
                    throw new DrException(ErrorCode.INVALID_CONFIG, "Cannot read " + newPasswordFile + ": "
                            + IoReasons.of(e), newPasswordFile.toString(), e);
                }
            }
            String env = environment().get("DR_NEW_PASSWORD");
            if (env == null || env.isEmpty()) {
                throw new DrException(ErrorCode.INVALID_CONFIG,
                        "No new password: pass --new-password-file FILE or set $DR_NEW_PASSWORD", "DR_NEW_PASSWORD");
            }
            return env.toCharArray();
        }
    }

    /** {@code dr key list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys.")
    static final class ListKeys extends RepositoryCommand {
        @Override
        int run(SnapshotStore store) {
            try (Repository repo = open(store)) {
                List<KeyInfo> keys = repo.keys();
                if (json) {
                    CliJson.print(out(), keys);
                } else {
                    for (KeyInfo k : keys) {
                        out().printf("%s %s %-16s %s%n", k.current() ? "*" : " ", k.id(), TerminalText.escape(k.host()), k.created());
                    }
                }
            }
            return DrCommand.EXIT_OK;
        }
    }

    /** {@code dr key remove}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a key; the last key and the one in use cannot be removed.")
    static final class Remove extends RepositoryCommand {
        @Parameters(paramLabel = "KEY", description = "The key id, or a unique prefix of it, as 'dr key list' shows.")
        String keyPrefix;

        @Override
        int run(SnapshotStore store) {
            try (Repository repo = open(store)) {
                List<KeyInfo> keys = repo.keys();
                String keyId = resolve(keys, keyPrefix);
                if (keys.size() == 1) {
                    throw new DrException(ErrorCode.ILLEGAL_STATE, "Key '" + keyId + "' is the repository's only "
                            + "key and cannot be removed: nothing could open the repository without it; add "
                            + "another with 'dr key add' first", keyId);
                }
                if (keys.stream().anyMatch(k -> k.current() && k.id().equals(keyId))) {
                    // An operator who removes the password they typed is one forgotten password
                    // away from a repository nobody can open.
                    throw new DrException(ErrorCode.ILLEGAL_STATE, "Key '" + keyId + "' is the one this command "
                            + "opened the repository with; remove it with another password (--password-file or "
                            + "$DR_PASSWORD), which proves that one works", keyId);
                }
                repo.removeKey(keyId);
                if (json) {
                    CliJson.print(out(), Map.of("removed", keyId));
                } else {
                    out().println("removed key " + keyId);
                }
            }
            return DrCommand.EXIT_OK;
        }

        /** The id of the one key the text is the id or a prefix of. */
        private static String resolve(List<KeyInfo> keys, String prefix) {
            if (keys.stream().anyMatch(k -> k.id().equals(prefix))) {
                return prefix;
            }
            List<String> matches = prefix.isEmpty() ? List.of()
                    : keys.stream().map(KeyInfo::id).filter(id -> id.startsWith(prefix)).toList();
            if (matches.isEmpty()) {
                throw new DrException(ErrorCode.NOT_FOUND, "No key '" + prefix + "' (see 'dr key list')", prefix);
            }
            if (matches.size() > 1) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "Key prefix '" + prefix + "' is ambiguous ("
                        + matches.size() + " keys); give more of the id", prefix);
            }
            return matches.get(0);
        }
    }
}
