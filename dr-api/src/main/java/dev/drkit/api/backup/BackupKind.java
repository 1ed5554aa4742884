package dev.drkit.api.backup;

/** Whether a backup rereads everything or builds on its parent snapshot. */
public enum BackupKind {
    /** Every file is read and hashed; only chunks the repository lacks are uploaded. */
    FULL,
    /** Files unchanged since the parent snapshot (same size, modification time and inode) are not read. */
    INCREMENTAL
}
