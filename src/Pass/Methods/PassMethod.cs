using SparseCore.Models.Modules;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Pass.Pipeline;
using SparseCore.Pass.Prompts;
using SparseCore.Pass.Search;

namespace SparseCore.Pass.Methods;

/// <summary>
/// `pass`: PASS's stage 1 (arXiv 2407.17412) — a visual prompt and an LSTM hypernetwork learnt on
/// the frozen dense backbone (<see cref="PassSearch"/>), whose final masks at the budget are the
/// selection, with the prompt they were learnt with. --no-prompt is the paper's ablation (V stays
/// zero). The search checkpoints every epoch in the run folder and a resumed run continues it.
/// </summary>
public sealed class PassMethod : PruningMethod
{
    public override SelectionKind Kind => SelectionKind.Channels;

    public override void Validate(PruneOptions options)
    {
        if (options.SearchEpochs == 0) throw new ArgumentException("--search-epochs must be ≥ 1 for --method pass");
        if (options.Prompt == "none")
            throw new ArgumentException("--prompt none: PASS's hypernetwork reads the prompt; use --no-prompt for the ablation");
    }

    public override Selection Select(MethodContext context)
    {
        var s = context.Options;
        var data = context.Data;
        var graph = context.Graph;
        var prompt = PromptSpec.Create(s.Prompt, new ModuleInit(context.Backend, s.Seed + 1), data.Train.Channels, data.Train.Height, data.Train.Width)!;
        // The prompted view adopts the dense layers; only the prompt is disposed here, the dense network lives on.
        using var _ = prompt;
        var prompted = new PromptedModel(prompt, context.Dense);
        using var hypernetwork = new ChannelHypernetwork(new ModuleInit(context.Backend, s.Seed + 2), prompted, graph, data.Train.Channels);
        var options = new SearchOptions { Epochs = s.SearchEpochs, TrainPrompt = !s.NoPrompt, RunFolder = context.RunFolder };
        using var search = new PassSearch(prompted, hypernetwork, context.Budget, options, context.Progress());
        string checkpoint = Path.Combine(context.RunFolder, PassSearch.CheckpointFileName);
        if (File.Exists(checkpoint))
        {
            search.Resume(checkpoint);
            context.Log($"stage 1 resumed after epoch {search.CompletedEpochs}");
        }
        using var loader = data.Loader(data.SearchIndices, s.BatchSize, (long)s.Seed);
        context.Log($"stage 1 (PASS{(s.NoPrompt ? ", no prompt" : "")}): {s.SearchEpochs} epochs on {data.SearchIndices.Length} images, " +
                    $"{graph.Masks.Count} masks over {graph.TotalChannels} channels, {hypernetwork.ParameterCount} hypernetwork parameters");
        search.Fit(loader, data.ValidationLoader);
        double seconds = search.History.Sum(h => h.Seconds); // epochs before a resume included
        return new ChannelSelection(search.FinalMasks(), s.NoPrompt ? null : prompt.Prompt.Value.ToArray(),
            new StageOneCost(s.SearchEpochs, data.SearchIndices.Length, seconds));
    }
}
