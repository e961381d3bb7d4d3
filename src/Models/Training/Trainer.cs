using System.Diagnostics;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Tensors;

namespace SparseCore.Models.Training;

/// <summary>
/// The supervised loop: per batch, forward, cross-entropy, backward, optimizer step, all inside
/// one <see cref="TensorScope"/> so a step's memory is returned before the next begins; per epoch,
/// evaluation, a metrics.csv row and (if asked) a checkpoint from which <see cref="Resume"/>
/// continues bit-identically: the epoch order is a function of (seed, epoch) and the schedule a
/// function of the global step, so restoring weights, optimizer state, step and epoch suffices.
/// A non-finite loss (any step) or weight (any epoch's end) stops the loop with a
/// <see cref="TrainingDivergedException"/> before that epoch writes anything.
/// </summary>
public sealed class Trainer(Module model, Optimizer optimizer, LrSchedule schedule, TrainerOptions options, ITrainingObserver? observer = null)
{
    private readonly List<EpochMetrics> history = new();
    private long? resumedSeed;

    public IReadOnlyList<EpochMetrics> History => history;

    /// <summary>Global optimisation step, the schedule's clock.</summary>
    public int GlobalStep { get; private set; }

    /// <summary>Epochs finished, counting those before a <see cref="Resume"/>; <see cref="Fit"/> continues after them.</summary>
    public int CompletedEpochs { get; private set; }

    /// <param name="firstEpoch">The first epoch to train; by default the one after <see cref="CompletedEpochs"/>.</param>
    public void Fit(DataLoader train, DataLoader? eval, int? firstEpoch = null)
    {
        if (options.CheckpointEvery < 0)
            throw new ArgumentException($"Trainer: CheckpointEvery must be ≥ 0, got {options.CheckpointEvery}");
        if (options.CheckpointEvery > 0 && options.RunFolder is null)
            throw new ArgumentException("Trainer: CheckpointEvery needs a RunFolder to write the checkpoint into");
        if (resumedSeed is long seed && seed != train.Seed)
            throw new InvalidOperationException(
                $"Trainer: the checkpoint was trained with loader seed {seed}, this loader's seed is {train.Seed}; " +
                "resuming with another seed would visit the data in a different order than the interrupted run");

        for (int epoch = firstEpoch ?? CompletedEpochs + 1; epoch <= options.Epochs; epoch++)
        {
            var m = TrainEpoch(train, epoch);
            Divergence.CheckState(options.Stage, model, [optimizer], epoch, GlobalStep, CompletedEpochs);
            if (eval is not null)
            {
                var e = Evaluate(model, eval);
                m = m with { EvalLoss = e.Loss, EvalAccuracy = e.Accuracy };
            }
            history.Add(m);
            CompletedEpochs = epoch;
            observer?.EpochCompleted(m);
            if (options.RunFolder is not null) MetricsCsv.Write(Path.Combine(options.RunFolder, "metrics.csv"), history);
            if (options.CheckpointEvery > 0 && (epoch % options.CheckpointEvery == 0 || epoch == options.Epochs))
                SaveCheckpoint(Path.Combine(options.RunFolder!, Checkpoint.LastFileName), train.Seed);
        }
    }

    /// <summary>Writes the model, optimizer, step, epoch and history (atomically).</summary>
    public void SaveCheckpoint(string path, long seed) =>
        Checkpoint.Save(path, model, optimizer, new CheckpointInfo
        {
            Model = options.Model,
            Epoch = CompletedEpochs,
            GlobalStep = GlobalStep,
            Seed = seed,
            Split = options.Split,
            History = history.ToArray(),
            Settings = options.Settings,
        });

    /// <summary>
    /// Restores the model, optimizer, global step, completed epochs and metrics history from a
    /// checkpoint, so the next <see cref="Fit"/> continues with the epoch after the saved one.
    /// </summary>
    public CheckpointInfo Resume(string checkpointPath)
    {
        var info = Checkpoint.Load(checkpointPath, model, optimizer);
        GlobalStep = info.GlobalStep;
        CompletedEpochs = info.Epoch;
        resumedSeed = info.Seed;
        history.Clear();
        history.AddRange(options.RunFolder is null ? info.History
            : MetricsCsv.WithTimes(info.History, Path.Combine(options.RunFolder, "metrics.csv")));
        return info;
    }

    /// <summary>One optimisation step on one batch; returns (summed loss, correct count).</summary>
    public (double LossSum, int Correct) Step(Batch batch)
    {
        var backend = optimizer.Parameters[0].Value.Backend;
        schedule.Apply(optimizer, GlobalStep);
        using var scope = new TensorScope();
        var x = Tensor.FromArray(backend, batch.Pixels, new Shape(batch.Count, batch.Channels, batch.Height, batch.Width));
        var logits = model.Forward(x);
        var labels = IntTensor.Labels(backend, batch.Labels, logits.Shape[1]);
        var loss = F.CrossEntropy(logits, labels, options.LabelSmoothing);
        loss.Backward();
        options.AfterBackward?.Invoke(model);
        optimizer.Step();
        optimizer.ZeroGrad();
        GlobalStep++;
        return (loss.Item() * batch.Count, CountCorrect(logits, batch.Labels));
    }

    private EpochMetrics TrainEpoch(DataLoader train, int epoch)
    {
        model.Train();
        int steps = train.BatchCount, step = 0, samples = 0, correct = 0;
        double lossSum = 0;
        float lr = optimizer.LearningRate;
        observer?.EpochStarted(epoch, options.Epochs, steps);
        var clock = Stopwatch.StartNew();
        foreach (var batch in train.Epoch(epoch))
        {
            lr = (float)(optimizer.BaseLearningRate * schedule.Factor(GlobalStep));
            var (l, c) = Step(batch);
            Divergence.CheckLoss(options.Stage, l / batch.Count, epoch, step + 1, steps, lr, CompletedEpochs);
            lossSum += l;
            correct += c;
            samples += batch.Count;
            step++;
            observer?.StepCompleted(epoch, step, steps, lossSum / samples, (double)correct / samples, samples / clock.Elapsed.TotalSeconds);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new EpochMetrics(epoch, lossSum / samples, (double)correct / samples, null, null, lr, seconds, samples / seconds);
    }

    /// <summary>Mean loss and accuracy in evaluation mode without recording a tape.</summary>
    public static EvalResult Evaluate(Module model, DataLoader data)
    {
        bool wasTraining = model.Training;
        model.Eval();
        using var noGrad = Autograd.NoGrad();
        double lossSum = 0;
        int correct = 0, samples = 0;
        var backend = model.Parameters().First().Value.Backend;
        foreach (var batch in data.Epoch(0))
        {
            using var scope = new TensorScope();
            var x = Tensor.FromArray(backend, batch.Pixels, new Shape(batch.Count, batch.Channels, batch.Height, batch.Width));
            var logits = model.Forward(x);
            var labels = IntTensor.Labels(backend, batch.Labels, logits.Shape[1]);
            lossSum += F.CrossEntropy(logits, labels).Item() * batch.Count;
            correct += CountCorrect(logits, batch.Labels);
            samples += batch.Count;
        }
        model.Train(wasTraining);
        return new EvalResult(lossSum / samples, (double)correct / samples, samples);
    }

    /// <summary>Samples whose largest logit is their label.</summary>
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        using var argmax = F.ArgMax(logits, 1);
        var predicted = argmax.ToArray();
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) correct++;
        return correct;
    }
}
