package io.orchiddb.client;

/**
 * The answer to a delete. Deleting an absent key succeeds with {@code deleted == false}.
 *
 * @param deleted whether the key existed (and so was removed)
 * @param previousVersion the key's version before the delete; 0 when it did not exist
 * @param index the log index of the delete
 */
public record DeleteResult(boolean deleted, long previousVersion, long index) {}
