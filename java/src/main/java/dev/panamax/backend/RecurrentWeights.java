package dev.panamax.backend;

import java.util.List;

/**
 * Where a {@link FusedRecurrence} keeps a stack's parameters: a weight space of {@code elements}
 * elements in which each block holds {@code count} consecutive elements of one parameter (index
 * in {@link RecurrentSpec}'s flat order, row-major) from {@code paramOffset} on. The weight
 * gradients come back in a space of the same layout. Elements no block covers are never read as
 * parameters (a stack without biases keeps zeros there).
 */
public record RecurrentWeights(long elements, List<Block> blocks) {
    public record Block(int param, long paramOffset, long spaceOffset, long count) {}

    public RecurrentWeights {
        blocks = List.copyOf(blocks);
    }
}
