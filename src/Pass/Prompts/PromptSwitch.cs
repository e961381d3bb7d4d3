using SparseCore.Models.Data;
using SparseCore.Models.Training;

namespace SparseCore.Pass.Prompts;

/// <summary>
/// Turns a prompted network's prompt on and off around training steps and evaluations: with
/// <paramref name="paired"/> the first batch of each pair (<see cref="PairedBatches"/>) runs
/// prompted and the second bare, and evaluations run the test-time forward (<paramref name="atTest"/>).
/// </summary>
public sealed class PromptSwitch(PromptedModel model, bool paired, bool atTest) : ITrainingHook
{
    public IDisposable? BeginStep(int step)
    {
        model.UsePrompt = !paired || PairedBatches.IsFirst(step);
        return null;
    }

    public IDisposable? BeginEvaluation()
    {
        model.UsePrompt = atTest;
        return null;
    }

    public IReadOnlyDictionary<string, string> SaveState() => new Dictionary<string, string>();

    public void RestoreState(string path, IReadOnlyDictionary<string, string> settings)
    {
    }
}
