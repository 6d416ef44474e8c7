package io.orchiddb.client;

/**
 * The answer to a put.
 *
 * @param version the key's new version (the log index of this write)
 * @param previousVersion the key's version before this write; 0 when it did not exist
 */
public record PutResult(long version, long previousVersion) {}
