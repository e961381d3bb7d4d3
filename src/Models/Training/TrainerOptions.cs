using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;

namespace SparseCore.Models.Training;

public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 10;

    /// <summary>What is being trained ("training", "stage 2", …), named by a divergence error.</summary>
    public string Stage { get; init; } = "training";

    public float LabelSmoothing { get; init; }
    /// <summary>Folder for metrics.csv and checkpoints; null writes nothing.</summary>
    public string? RunFolder { get; init; }

    /// <summary>The per-epoch metrics file in <see cref="RunFolder"/>.</summary>
    public string MetricsFileName { get; init; } = "metrics.csv";

    /// <summary>The checkpoint file in <see cref="RunFolder"/>.</summary>
    public string CheckpointFileName { get; init; } = Checkpoint.LastFileName;

    /// <summary>
    /// Write <see cref="Checkpoint.LastFileName"/> into the run folder every this many epochs (and
    /// after the last one); 0 never does.
    /// </summary>
    public int CheckpointEvery { get; init; }

    /// <summary>The architecture recorded in checkpoints, so a checkpoint alone rebuilds the network.</summary>
    public ModelDescription? Model { get; init; }

    /// <summary>
    /// Called with the model after each backward pass, before the optimizer steps: where a method
    /// adds a penalty's (sub)gradient, such as network slimming's L1 on batch-norm scales.
    /// </summary>
    public Action<Module>? AfterBackward { get; init; }

    /// <summary>The training images held out for validation, recorded in checkpoints (pruning validates on the same ones).</summary>
    public ValidationSplit? Split { get; init; }

    /// <summary>A method's additions to every step, evaluation and checkpoint (PASS's stage 1); null for plain supervised training.</summary>
    public ITrainingHook? Hook { get; init; }

    /// <summary>What a checkpoint holds; null for the whole model. A frozen backbone need not be saved with what trains around it.</summary>
    public CheckpointState? Checkpointed { get; init; }

    /// <summary>Run settings recorded in checkpoints.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
