namespace SparseCore.Models.Optim;

/// <summary>A learning-rate multiplier as a function of the optimisation step (0-based).</summary>
public abstract class LrSchedule
{
    public abstract float Factor(int step);

    public void Apply(Optimizer optimizer, int step) => optimizer.LearningRate = optimizer.BaseLearningRate * Factor(step);
}

/// <summary>Cosine decay from 1 to <see cref="MinFactor"/> over <see cref="TotalSteps"/>.</summary>
public sealed class CosineSchedule : LrSchedule
{
    public CosineSchedule(int totalSteps, float minFactor = 0f)
    {
        if (totalSteps <= 0) throw new ArgumentException($"CosineSchedule: total steps must be positive, got {totalSteps}");
        TotalSteps = totalSteps;
        MinFactor = minFactor;
    }

    public int TotalSteps { get; }
    public float MinFactor { get; }

    public override float Factor(int step)
    {
        double t = Math.Clamp((double)step / TotalSteps, 0, 1);
        return (float)(MinFactor + (1 - MinFactor) * 0.5 * (1 + Math.Cos(Math.PI * t)));
    }
}

/// <summary>Linear warm-up from 1/warmup to 1 over the first steps, then the inner schedule shifted.</summary>
public sealed class WarmupSchedule(int warmupSteps, LrSchedule after) : LrSchedule
{
    public override float Factor(int step) =>
        step < warmupSteps ? (step + 1f) / warmupSteps : after.Factor(step - warmupSteps);
}

/// <summary>
/// torch's CosineAnnealingLR(T_max = epochs, eta_min = 0) stepped once per epoch, as VPNs' code
/// steps it: the factor is constant within an epoch, (1 + cos(π·e/epochs))/2 in epoch e (0-based),
/// so the last epoch runs at a small but non-zero rate.
/// </summary>
public sealed class EpochCosineSchedule : LrSchedule
{
    public EpochCosineSchedule(int stepsPerEpoch, int epochs)
    {
        if (stepsPerEpoch <= 0 || epochs <= 0)
            throw new ArgumentException($"EpochCosineSchedule: steps per epoch and epochs must be positive, got {stepsPerEpoch} and {epochs}");
        StepsPerEpoch = stepsPerEpoch;
        Epochs = epochs;
    }

    public int StepsPerEpoch { get; }
    public int Epochs { get; }

    public override float Factor(int step)
    {
        int epoch = Math.Min(step / StepsPerEpoch, Epochs - 1);
        return (float)(0.5 * (1 + Math.Cos(Math.PI * epoch / Epochs)));
    }
}
