using System.Diagnostics;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Tensors;

namespace SparseCore.Models.Training;

/// <summary>
/// The supervised loop: per batch, forward, cross-entropy, backward, optimizer step, all inside
/// one <see cref="TensorScope"/> so a step's memory is returned before the next begins; per epoch,
/// evaluation and a metrics.csv row.
/// </summary>
public sealed class Trainer(Module model, Optimizer optimizer, LrSchedule schedule, TrainerOptions options, ITrainingObserver? observer = null)
{
    private readonly List<EpochMetrics> history = new();

    public IReadOnlyList<EpochMetrics> History => history;

    /// <summary>Global optimisation step, the schedule's clock.</summary>
    public int GlobalStep { get; private set; }

    public void Fit(DataLoader train, DataLoader? eval, int firstEpoch = 1)
    {
        for (int epoch = firstEpoch; epoch <= options.Epochs; epoch++)
        {
            var m = TrainEpoch(train, epoch);
            if (eval is not null)
            {
                var e = Evaluate(model, eval);
                m = m with { EvalLoss = e.Loss, EvalAccuracy = e.Accuracy };
            }
            history.Add(m);
            observer?.EpochCompleted(m);
            if (options.RunFolder is not null) MetricsCsv.Write(Path.Combine(options.RunFolder, "metrics.csv"), history);
        }
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

    private static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        using var argmax = F.ArgMax(logits, 1);
        var predicted = argmax.ToArray();
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) correct++;
        return correct;
    }
}
