using System.Diagnostics;
using SparseCore.Kernels;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Tensors;

namespace SparseCore.Models.Training;

/// <summary>
/// The one epoch loop of the engine: per batch, forward, cross-entropy, backward, every optimizer's
/// step, all inside one <see cref="TensorScope"/> so a step's memory is returned before the next
/// begins; per epoch, evaluation, a metrics.csv row and (if asked) a checkpoint from which
/// <see cref="Resume"/> continues bit-identically: the epoch order is a function of (seed, epoch)
/// and the schedule a function of the global step, so restoring weights, optimizer state, step and
/// epoch suffices. A method with more to do per step (PASS's search) plugs in an
/// <see cref="ITrainingHook"/>. A non-finite loss (any step) or weight (any epoch's end) stops the
/// loop with a <see cref="TrainingDivergedException"/> before that epoch writes anything.
/// </summary>
public sealed class Trainer
{
    private readonly Module model;
    private readonly IReadOnlyList<Optimizer> optimizers;
    private readonly TrainerOptions options;
    private readonly ITrainingObserver? observer;
    private readonly List<EpochMetrics> history = new();
    private long? resumedSeed;

    /// <param name="schedule">The learning-rate multiplier by step; null keeps the base rates.</param>
    public Trainer(Module model, Optimizer optimizer, LrSchedule? schedule, TrainerOptions options, ITrainingObserver? observer = null)
        : this(model, [optimizer], schedule, options, observer)
    {
    }

    /// <param name="optimizers">Each trains its own parameters (PASS's prompt by SGD and hypernetwork by AdamW); the schedule scales every one.</param>
    public Trainer(Module model, IReadOnlyList<Optimizer> optimizers, LrSchedule? schedule, TrainerOptions options, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizers);
        ArgumentNullException.ThrowIfNull(options);
        if (optimizers.Count == 0) throw new ArgumentException("Trainer: at least one optimizer is needed");
        this.model = model;
        this.optimizers = optimizers;
        this.options = options;
        this.observer = observer;
        Schedule = schedule;
    }

    /// <summary>The learning-rate multiplier by global step (null: the base rates); set before <see cref="Fit"/> when it depends on the loader.</summary>
    public LrSchedule? Schedule { get; set; }

    public IReadOnlyList<EpochMetrics> History => history;

    /// <summary>What a checkpoint holds and a divergence check inspects: the options' choice, else the whole model.</summary>
    private CheckpointState Checkpointed => options.Checkpointed ?? CheckpointState.Of(model);

    /// <summary>Global optimisation step, the schedule's clock.</summary>
    public int GlobalStep { get; private set; }

    /// <summary>Epochs finished, counting those before a <see cref="Resume"/>; <see cref="Fit"/> continues after them.</summary>
    public int CompletedEpochs { get; private set; }

    /// <summary>Trains from the epoch after <see cref="CompletedEpochs"/> to the options' last, or only to <paramref name="stopAfter"/> (as an interrupted run would).</summary>
    public void Fit(IBatchSource train, DataLoader? eval, int? stopAfter = null)
    {
        if (options.CheckpointEvery < 0)
            throw new ArgumentException($"Trainer: CheckpointEvery must be ≥ 0, got {options.CheckpointEvery}");
        if (options.CheckpointEvery > 0 && options.RunFolder is null)
            throw new ArgumentException("Trainer: CheckpointEvery needs a RunFolder to write the checkpoint into");
        if (resumedSeed is long seed && seed != train.Seed)
            throw new InvalidOperationException(
                $"{options.Stage}: the checkpoint was trained with loader seed {seed}, this loader's seed is {train.Seed}; " +
                "resuming with another seed would visit the data in a different order than the interrupted run");

        for (int epoch = CompletedEpochs + 1; epoch <= Math.Min(options.Epochs, stopAfter ?? int.MaxValue); epoch++)
        {
            var m = TrainEpoch(train, epoch);
            Divergence.CheckState(options.Stage, Checkpointed, optimizers, epoch, GlobalStep, CompletedEpochs);
            if (eval is not null)
            {
                var e = EvaluateWithHook(eval);
                m = m with { EvalLoss = e.Loss, EvalAccuracy = e.Accuracy };
            }
            history.Add(m);
            CompletedEpochs = epoch;
            observer?.EpochCompleted(m);
            if (options.RunFolder is not null) MetricsCsv.Write(Path.Combine(options.RunFolder, options.MetricsFileName), history);
            if (options.CheckpointEvery > 0 && (epoch % options.CheckpointEvery == 0 || epoch == options.Epochs))
                SaveCheckpoint(Path.Combine(options.RunFolder!, options.CheckpointFileName), train.Seed);
        }
    }

    /// <summary>The model's loss and accuracy on <paramref name="data"/> as the per-epoch validation sees it (with the hook's evaluation set-up).</summary>
    public EvalResult EvaluateWithHook(DataLoader data)
    {
        using var _ = options.Hook?.BeginEvaluation();
        return Evaluate(model, data);
    }

    /// <summary>Writes the checkpointed tensors, optimizers, step, epoch and history (atomically).</summary>
    public void SaveCheckpoint(string path, long seed)
    {
        var settings = options.Settings;
        if (options.Hook is { } hook)
            settings = settings.Concat(hook.SaveState()).ToDictionary(kv => kv.Key, kv => kv.Value);
        Checkpoint.Save(path, Checkpointed, optimizers, new CheckpointInfo
        {
            Model = options.Model,
            Epoch = CompletedEpochs,
            GlobalStep = GlobalStep,
            Seed = seed,
            Split = options.Split,
            History = history.ToArray(),
            Settings = settings,
        });
    }

    /// <summary>
    /// Restores the checkpointed tensors, optimizers, global step, completed epochs, metrics history
    /// (with times from the run folder's metrics file) and the hook's state, so the next
    /// <see cref="Fit"/> continues with the epoch after the saved one.
    /// </summary>
    public CheckpointInfo Resume(string checkpointPath)
    {
        var info = Checkpoint.Load(checkpointPath, Checkpointed, optimizers);
        GlobalStep = info.GlobalStep;
        CompletedEpochs = info.Epoch;
        resumedSeed = info.Seed;
        history.Clear();
        history.AddRange(options.RunFolder is null ? info.History
            : MetricsCsv.WithTimes(info.History, Path.Combine(options.RunFolder, options.MetricsFileName)));
        options.Hook?.RestoreState(checkpointPath, info.Settings);
        return info;
    }

    /// <summary>One optimisation step on one batch, the <paramref name="step"/>-th of its epoch (for the hook); returns (summed loss, correct count).</summary>
    public (double LossSum, int Correct) Step(Batch batch, int step = 0)
    {
        var backend = optimizers[0].Parameters[0].Value.Backend;
        if (Schedule is not null)
            foreach (var optimizer in optimizers) Schedule.Apply(optimizer, GlobalStep);
        using var stepRegion = backend.Region(ProfileRegions.Step);
        using var scope = new TensorScope();
        using var hooked = options.Hook?.BeginStep(step);
        Tensor logits, loss;
        IntTensor labels;
        using (backend.Region(ProfileRegions.Forward))
        {
            var x = Upload(backend, batch);
            logits = model.Forward(x);
            labels = IntTensor.Labels(backend, batch.Labels, logits.Shape[1]);
            loss = F.CrossEntropy(logits, labels, options.LabelSmoothing);
        }
        using (backend.Region(ProfileRegions.Backward))
        {
            loss.Backward();
            options.AfterBackward?.Invoke(model);
        }
        using (backend.Region(ProfileRegions.Optimizer))
        {
            foreach (var optimizer in optimizers) optimizer.Step();
            foreach (var optimizer in optimizers) optimizer.ZeroGrad();
        }
        GlobalStep++;
        return ReadStepMetrics(backend, loss, logits, labels, batch.Count);
    }

    /// <summary>
    /// The step's loss and correct count, gathered on the device into one [loss, correct] buffer and
    /// read in one download: the step's only host wait on a GPU (reading the loss and the argmax
    /// apart cost two, and each drains the stream). The loss is the same float as before and is
    /// scaled in float as before, so the metrics are bit-identical to reading it alone.
    /// </summary>
    private static (double LossSum, int Correct) ReadStepMetrics(Backend backend, Tensor loss, Tensor logits, IntTensor labels, int count)
    {
        using var metrics = backend.Allocate<float>(2);
        backend.Copy(loss.Buffer, 0, metrics, 0, 1);
        using (var predicted = F.ArgMax(logits, 1))
            backend.CountEqual(predicted.Buffer, labels.Buffer, count, metrics, 1);
        Span<float> host = stackalloc float[2];
        backend.Download(metrics, host);
        return (host[0] * count, (int)host[1]);
    }

    private static Tensor Upload(Backend backend, Batch batch) =>
        Tensor.FromArray(backend, batch.Pixels, new Shape(batch.Count, batch.Channels, batch.Height, batch.Width));

    /// <summary>The next batch, its loading and augmentation charged to the profile's data region.</summary>
    private static bool NextBatch(Backend backend, IEnumerator<Batch> batches)
    {
        using var _ = backend.Region(ProfileRegions.Data);
        return batches.MoveNext();
    }

    private EpochMetrics TrainEpoch(IBatchSource train, int epoch)
    {
        model.Train();
        int steps = train.BatchCount, step = 0, samples = 0, correct = 0;
        double lossSum = 0;
        var first = optimizers[0];
        float lr = first.LearningRate;
        observer?.EpochStarted(epoch, options.Epochs, steps);
        var backend = first.Parameters[0].Value.Backend;
        var clock = Stopwatch.StartNew();
        using var batches = train.Epoch(epoch).GetEnumerator();
        while (NextBatch(backend, batches))
        {
            var batch = batches.Current;
            lr = Schedule is null ? first.BaseLearningRate : first.BaseLearningRate * Schedule.Factor(GlobalStep);
            double l;
            int c;
            try
            {
                (l, c) = Step(batch, step);
            }
            catch (NonFiniteValueException e)
            {
                throw Divergence.At(options.Stage, e.What, epoch, step + 1, steps, lr, CompletedEpochs);
            }
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
        using var evaluation = backend.Region(ProfileRegions.Evaluation);
        using var batches = data.Epoch(0).GetEnumerator();
        while (NextBatch(backend, batches))
        {
            var batch = batches.Current;
            using var scope = new TensorScope();
            Tensor logits;
            using (backend.Region(ProfileRegions.EvaluationForward))
                logits = model.Forward(Upload(backend, batch));
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
