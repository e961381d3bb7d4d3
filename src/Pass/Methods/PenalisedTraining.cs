using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;

namespace SparseCore.Pass.Methods;

/// <summary>
/// Training the dense weights in place with a penalty's gradient added after every backward pass,
/// as slimming does (GrowReg, DepGraph): the stage-2 optimizer (SGD, momentum 0.9, --lr with a
/// cosine schedule, --weight-decay) over the --search-subset images. The trained weights are what
/// the extraction reads, so they are kept in the run folder, and a resumed run loads them back.
/// </summary>
internal static class PenalisedTraining
{
    /// <summary>Trains <paramref name="epochs"/> epochs with <paramref name="afterBackward"/>, then saves the weights as <paramref name="fileName"/> in the run folder.</summary>
    public static void Run(MethodContext context, int epochs, Action<Module> afterBackward, string stage, string fileName)
    {
        var s = context.Options;
        var data = context.Data;
        using var opt = new Sgd(context.Dense.Parameters(), s.FinetuneLr, 0.9f, s.FinetuneWeightDecay);
        using var loader = data.Loader(data.SearchIndices, s.BatchSize, (long)s.Seed);
        var trainer = new Trainer(context.Dense, opt, new CosineSchedule(epochs * loader.BatchCount),
            new TrainerOptions { Epochs = epochs, AfterBackward = afterBackward, Stage = stage }, context.Progress());
        trainer.Fit(loader, null);
        context.Dense.Eval();
        Checkpoint.Save(Path.Combine(context.RunFolder, fileName), context.Dense);
    }

    /// <summary>On a resumed run, loads the weights <see cref="Run"/> saved; <paramref name="method"/> names what trained them in the error when they are missing.</summary>
    public static void Restore(MethodContext context, string fileName, string method)
    {
        string path = Path.Combine(context.RunFolder, fileName);
        if (!File.Exists(path))
            throw new ArgumentException($"--resume: {context.RunFolder} has masks from {method} but no {fileName} with the weights they were chosen on");
        Checkpoint.Load(path, context.Dense);
    }
}
