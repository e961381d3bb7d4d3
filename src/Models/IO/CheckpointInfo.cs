using SparseCore.Models.Data;
using SparseCore.Models.Training;

namespace SparseCore.Models.IO;

/// <summary>
/// A checkpoint's header: where training stood and how to rebuild the run. Stored in the
/// safetensors <c>__metadata__</c> string map (see <see cref="Checkpoint"/> for the keys); every
/// field is optional there, so a plain weights file from PyTorch reads as epoch 0 with no model.
/// </summary>
public sealed record CheckpointInfo
{
    public ModelDescription? Model { get; init; }

    /// <summary>Completed epochs; a resumed run continues with the next one.</summary>
    public int Epoch { get; init; }

    /// <summary>Completed optimisation steps, the learning-rate schedule's clock.</summary>
    public int GlobalStep { get; init; }

    /// <summary>
    /// The data loader's seed. The epoch order and augmentation depend only on (seed, epoch,
    /// sample), so seed and epoch are all the loader state a bit-identical resume needs.
    /// </summary>
    public long? Seed { get; init; }

    /// <summary>How pixels were turned into the network's input; written as <see cref="InputNormalization.PixelUnit"/> with every model description.</summary>
    public InputNormalization? Input { get; init; }

    /// <summary>The training images held out for validation, so a pruning run validates on images the network never trained on.</summary>
    public ValidationSplit? Split { get; init; }

    /// <summary>
    /// The metrics of the completed epochs, so a resumed run's metrics.csv stays whole. Saved without
    /// their wall-clock times (<see cref="EpochMetrics.Seconds"/>, samples per second), which would make
    /// two identical runs' checkpoints differ: those live in metrics.csv, from which a resume takes them back.
    /// </summary>
    public IReadOnlyList<EpochMetrics> History { get; init; } = [];

    /// <summary>Free-form run settings (command-line options, hyper-parameters), for the record.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
