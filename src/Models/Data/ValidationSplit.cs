namespace SparseCore.Models.Data;

/// <summary>
/// Which training images a network was validated on, not trained on: <see cref="Count"/> of the
/// <see cref="Of"/> training images, drawn by <see cref="Seed"/> (<see cref="DataSplit.TrainValidation"/>).
/// Recorded in checkpoints so that pruning that network validates on images it never saw, whatever
/// seed the pruning run itself uses.
/// </summary>
public sealed record ValidationSplit(long Seed, int Count, int Of)
{
    /// <summary>The engine's default: 5,000 images, or a tenth of a smaller training set.</summary>
    public static int DefaultCount(int trainingImages) => Math.Min(DataSplit.DefaultValidationCount, trainingImages / 10);

    /// <summary>
    /// The split --validation asks for (null: <see cref="DefaultCount"/>) of a training set, refused
    /// in the option's terms when it would leave nothing to train on.
    /// </summary>
    public static ValidationSplit For(int trainingImages, int? validation, long seed)
    {
        int count = validation ?? DefaultCount(trainingImages);
        if (count >= trainingImages)
            throw new ArgumentException($"--validation {count} leaves no image to train on: the training set has {trainingImages}; hold out fewer");
        return new ValidationSplit(seed, count, trainingImages);
    }

    /// <summary>The training and validation indices this split stands for.</summary>
    public (int[] Train, int[] Validation) Draw() => DataSplit.TrainValidation(Of, Count, Seed);
}
