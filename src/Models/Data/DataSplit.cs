namespace SparseCore.Models.Data;

/// <summary>
/// Holds a validation set out of a training set, so hyper-parameters and pruning decisions are
/// never tuned on the test split. The split depends only on (count, validationCount, seed).
/// </summary>
public static class DataSplit
{
    public const int DefaultValidationCount = 5000;

    // Keeps the split's random stream apart from the loader's per-epoch streams (which use the
    // epoch number), so a split and an epoch order with the same seed are not the same shuffle.
    private const long SplitStream = -0x5EED_5B17;

    /// <summary>
    /// Disjoint index sets covering 0..count-1: <paramref name="validationCount"/> indices chosen
    /// at random by <paramref name="seed"/> for validation, the rest for training; each sorted
    /// ascending (the loader shuffles anyway; sorted sets are easy to compare and log).
    /// </summary>
    public static (int[] Train, int[] Validation) TrainValidation(int count, int validationCount = DefaultValidationCount, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (validationCount < 0 || validationCount > count)
            throw new ArgumentOutOfRangeException(nameof(validationCount), validationCount,
                $"validation count must be in [0, {count}] for a set of {count}");

        var order = SeededPermutation.Create(count, seed, SplitStream);
        var validation = order.AsSpan(0, validationCount).ToArray();
        var train = order.AsSpan(validationCount).ToArray();
        Array.Sort(validation);
        Array.Sort(train);
        return (train, validation);
    }
}
