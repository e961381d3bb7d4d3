using System.Globalization;
using SparseCore.Models.IO;
using SparseCore.Models.Optim;

namespace SparseCore.Models.Training;

/// <summary>
/// Stops a diverged run instead of letting it train on NaN and write a NaN checkpoint over the last
/// good one: the loss is checked every step (it is read back anyway), the weights, buffers and
/// optimizer state once per epoch before they are saved (a step can overflow a weight while its
/// loss was still finite).
/// </summary>
public static class Divergence
{
    /// <param name="stage">What is training ("training", "stage 2", …), for the message.</param>
    /// <param name="completedEpochs">Epochs whose checkpoint is the last good one (0: none written).</param>
    public static void CheckLoss(string stage, double loss, int epoch, int step, int steps, double learningRate, int completedEpochs)
    {
        if (double.IsFinite(loss)) return;
        throw At(stage, string.Create(CultureInfo.InvariantCulture, $"the loss is {loss}"), epoch, step, steps, learningRate, completedEpochs);
    }

    /// <summary>The error for a step that produced <paramref name="what"/> (a non-finite loss, score, …).</summary>
    public static TrainingDivergedException At(string stage, string what, int epoch, int step, int steps, double learningRate, int completedEpochs) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{stage} diverged: {what} at epoch {epoch}, step {step} of {steps} (learning rate {learningRate:G3}); {Kept(completedEpochs)}"));

    /// <summary>Throws if a parameter or buffer of <paramref name="state"/> (what a checkpoint would save) or an optimizer's state holds a NaN or infinity.</summary>
    public static void CheckState(string stage, CheckpointState state, IEnumerable<Optimizer> optimizers, int epoch, int steps, int completedEpochs)
    {
        string? bad = state.Parameters.Where(p => !AllFinite(p.Parameter.Value.ToArray())).Select(p => p.Name).FirstOrDefault()
            ?? state.Buffers.Where(b => !AllFinite(b.Buffer.ToArray())).Select(b => b.Name).FirstOrDefault();
        if (bad is null)
        {
            foreach (var optimizer in optimizers)
                foreach (var (p, slots) in optimizer.State)
                    if (slots.Any(t => !AllFinite(t.ToArray()))) { bad = $"the optimizer state of '{p.Name}'"; break; }
        }
        else bad = $"'{bad}'";
        if (bad is null) return;
        throw new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
            $"{stage} diverged: {bad} holds a non-finite value at the end of epoch {epoch} (after step {steps}); {Kept(completedEpochs)}"));
    }

    private static string Kept(int completedEpochs) => completedEpochs > 0
        ? $"stopped before saving, so the checkpoint of epoch {completedEpochs} is left as it was; try a lower learning rate"
        : "stopped before any checkpoint was written; try a lower learning rate";

    private static bool AllFinite(float[] values)
    {
        foreach (float v in values) if (!float.IsFinite(v)) return false;
        return true;
    }
}
