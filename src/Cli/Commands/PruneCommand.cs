using System.CommandLine;
using SparseCore.Cli.Pruning;
using SparseCore.Kernels;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Pass;
using SparseCore.Pass.Methods;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Commands;

/// <summary>
/// `sparsecore prune --method NAME --model resnet20 --sparsity 0.5`: binds the options into a
/// <see cref="PruneJob"/>, runs it (<see cref="PruneRun"/>: dense network → the method's selection →
/// extraction → stage 2 → pruned checkpoint and summary.json) with its lines and progress on the
/// console, and writes report.md and its plots.
/// </summary>
internal static class PruneCommand
{
    /// <param name="args">The command line, recorded in the report so the run can be repeated.</param>
    public static Command Create(string[] args)
    {
        var method = new Option<string>("--method") { Description = string.Join(" | ", PruningMethods.Names), DefaultValueFactory = _ => "pass" };
        var model = new Option<string>("--model") { Description = $"backbone: {string.Join(", ", PruneOptions.PrunableModels)}", DefaultValueFactory = _ => "resnet20" };
        var data = CommonOptions.Data();
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed();
        var sparsity = NumberOptions.OptionalReal("--sparsity", "sparsity s: prune round(s·units) — coupled channel units for a channel method (the paper's budget), prunable weights for a weight method", 0, 1);
        var density = NumberOptions.OptionalReal("--density", "weight methods: keep this share d of the prunable weights (--sparsity 1 − d)", 0, 1);
        var flops = NumberOptions.OptionalReal("--flops", "keep this fraction r of the dense MACs in the extracted network (instead of --sparsity)", 0, 1);
        var mode = new Option<string>("--mode") { Description = "residual streams: shared (one mask per stream; masked = extracted) | union (per-conv masks; the stream keeps their union)", DefaultValueFactory = _ => "shared" };
        var from = new Option<string?>("--from") { Description = "dense checkpoint to prune (default: train one first for --dense-epochs)" };
        var denseEpochs = NumberOptions.Whole("--dense-epochs", "epochs of dense training when no --from is given", 10, 0);
        var searchEpochs = NumberOptions.Whole("--search-epochs", "stage-1 epochs (PASS's search; slim's sparsity training uses --slim-epochs)", 50, 0);
        var searchSubset = NumberOptions.Whole("--search-subset", "stage 1 sees only this many training images (0: all)", 0, 0);
        var trainSubset = NumberOptions.Whole("--train-subset", "dense training and stage 2 see only this many training images (0: all)", 0, 0);
        var finetuneEpochs = NumberOptions.Whole("--finetune-epochs", "stage-2 epochs on the extracted network", 50, 0);
        var batch = NumberOptions.Whole("--batch-size", "mini-batch size of both stages", 128, 1);
        var lr = NumberOptions.Real("--lr", "stage-2 learning rate of weights and prompt (cosine)", 1e-2f);
        var wd = NumberOptions.Real("--weight-decay", "stage-2 weight decay of the weights (the prompt takes none)", 5e-4f);
        var prompt = new Option<string>("--prompt") { Description = "visual prompt: pad[:W] | expansive[:W] | patch:P | patch:P:random:SEED", DefaultValueFactory = _ => "pad" };
        var noPrompt = new Option<bool>("--no-prompt") { Description = "PASS ablation: stage 1 learns no prompt (V stays zero)" };
        var noStage2Prompt = new Option<bool>("--no-stage2-prompt") { Description = "stage 2 fine-tunes the weights alone (by default a prompt is fine-tuned with them, for every method alike)" };
        var augment = new Option<bool>("--augment") { Description = "random crop (padding 2) and flip in stage 2" };
        var slimEpochs = NumberOptions.Whole("--slim-epochs", "slim: epochs of sparsity training (L1 on batch-norm γ) before ranking", 1, 0);
        var slimLambda = NumberOptions.Real("--slim-lambda", "slim: the L1 weight λ on γ", 1e-4f);
        var validation = CommonOptions.Validation();
        var latencyBatch = NumberOptions.Whole("--latency-batch", "batch size of the latency measurement", 32, 1);
        var roundChannels = NumberOptions.Whole("--round-channels", "channel methods through the global selection: kept channels of each coupled group a multiple of K, within the budget (1: no rounding)", 1, 1);
        var scoreLr = NumberOptions.Real("--score-lr", "vpns, hydra: Adam's learning rate for the scores and the stage-1 prompt (coupled L2)", 1e-4f);
        var scoreWd = NumberOptions.Real("--score-weight-decay", "vpns, hydra: the L2 weight of that Adam", 1e-4f);
        var iteration = new Option<string>("--iteration") { Description = "vpns: paired (the code's: a prompted clean batch, then an unprompted augmented one) | single (one prompted augmented batch)", DefaultValueFactory = _ => "paired" };
        var testPrompt = new Option<bool?>("--test-prompt") { Description = "test the pruned network behind its prompt (default: true, except vpns, whose code tests without it)" };
        var labelMap = new Option<string?>("--label-map") { Description = "flm (VPNs' frequency label mapping onto a reused head, computed before stage 1) | none (default: the head's own classes)" };
        var impEpochs = NumberOptions.Whole("--imp-epochs", "imp: retraining epochs over the --search-subset images after each round", 1, 0);
        var growRegEpochs = NumberOptions.Whole("--growreg-epochs", "growreg: epochs of training with the growing L2 penalty on the channels chosen for removal", 2, 0);
        var growRegDelta = NumberOptions.Real("--growreg-delta", "growreg: λ grows by this much every --growreg-interval steps", 1e-2f);
        var growRegInterval = NumberOptions.Whole("--growreg-interval", "growreg: steps between two increments of λ", 1, 1);
        var growRegCeiling = NumberOptions.Real("--growreg-ceiling", "growreg: the largest λ", 1f);
        var depGraphEpochs = NumberOptions.Whole("--depgraph-epochs", "depgraph: epochs of group-sparsity training before ranking", 1, 0);
        var depGraphLambda = NumberOptions.Real("--depgraph-lambda", "depgraph: the group regulariser's λ", 5e-4f);
        var abcCycles = NumberOptions.Whole("--abc-cycles", "abc: bee-colony cycles after the first food sources", 4, 0);
        var abcSources = NumberOptions.Whole("--abc-sources", "abc: food sources (candidate width vectors)", 5, 2);
        var abcFinetuneSteps = NumberOptions.Whole("--abc-finetune-steps", "abc: SGD steps of each candidate before it is scored on held-out search images", 10, 0);
        var abcLimit = NumberOptions.Whole("--abc-limit", "abc: trials without improvement before a scout replaces a source", 3, 1);
        var impTrajectory = new Option<string?>("--imp-trajectory") { Description = "imp: a folder of rounds shared by runs at other densities (default: the run folder's imp/)" };
        var output = new Option<string>("--output") { Description = "parent folder of the run folder", DefaultValueFactory = _ => "runs" };
        var resume = new Option<string?>("--resume") { Description = "continue the prune run in this folder (same options), from its last finished stage or epoch" };
        var profile = new Option<bool>("--profile") { Description = "profile the dense and the pruned network's latency forwards per op family (profile.md in the run folder)" };
        var cmd = new Command("prune", "select channel or weight masks (PASS or a baseline), extract or mask the network, fine-tune it and report")
        {
            method, model, data, device, seed, sparsity, density, flops, mode, from, denseEpochs, searchEpochs, searchSubset, trainSubset, finetuneEpochs,
            batch, lr, wd, prompt, noPrompt, noStage2Prompt, augment, slimEpochs, slimLambda, validation, latencyBatch, roundChannels, scoreLr, scoreWd, iteration, testPrompt, labelMap,
            impEpochs, impTrajectory, growRegEpochs, growRegDelta, growRegInterval, growRegCeiling, depGraphEpochs, depGraphLambda,
            abcCycles, abcSources, abcFinetuneSteps, abcLimit, output, resume, profile,
        };
        cmd.SetAction(r =>
        {
            var options = new PruneOptions
            {
                Method = r.GetValue(method)!, Model = r.GetValue(model)!, Data = r.GetValue(data)!,
                Seed = r.GetValue(seed), Budget = Budget(r.GetValue(sparsity), r.GetValue(density), r.GetValue(flops)), Mode = ParseMode(r.GetValue(mode)!),
                DenseEpochs = r.GetValue(denseEpochs), SearchEpochs = r.GetValue(searchEpochs),
                SearchSubset = r.GetValue(searchSubset), TrainSubset = r.GetValue(trainSubset), FinetuneEpochs = r.GetValue(finetuneEpochs), BatchSize = r.GetValue(batch),
                FinetuneLr = r.GetValue(lr), FinetuneWeightDecay = r.GetValue(wd), Prompt = r.GetValue(prompt)!, NoPrompt = r.GetValue(noPrompt),
                Stage2Prompt = !r.GetValue(noStage2Prompt), Augment = r.GetValue(augment), SlimEpochs = r.GetValue(slimEpochs),
                SlimLambda = r.GetValue(slimLambda), Validation = r.GetValue(validation), LatencyBatch = r.GetValue(latencyBatch), RoundChannels = r.GetValue(roundChannels),
                ScoreLr = r.GetValue(scoreLr), ScoreWeightDecay = r.GetValue(scoreWd), Iteration = r.GetValue(iteration)!, TestPrompt = r.GetValue(testPrompt),
                LabelMapping = r.GetValue(labelMap), ImpEpochs = r.GetValue(impEpochs), ImpTrajectory = r.GetValue(impTrajectory),
                GrowRegEpochs = r.GetValue(growRegEpochs), GrowRegDelta = r.GetValue(growRegDelta), GrowRegInterval = r.GetValue(growRegInterval),
                GrowRegCeiling = r.GetValue(growRegCeiling), DepGraphEpochs = r.GetValue(depGraphEpochs), DepGraphLambda = r.GetValue(depGraphLambda),
                AbcCycles = r.GetValue(abcCycles), AbcSources = r.GetValue(abcSources), AbcFinetuneSteps = r.GetValue(abcFinetuneSteps), AbcLimit = r.GetValue(abcLimit),
            };
            string? dense = r.GetValue(from), resumed = r.GetValue(resume);
            // Refuse bad options before loading any data.
            options.Validate(hasDense: dense is not null || resumed is not null);
            var (train, test) = DataSource.Load(options.Data, (long)options.Seed);
            using var backend = Devices.Create(r.GetValue(device));
            var profiles = new List<(string Network, Profiler Profiler)>();
            var outcome = PruneRun.Run(new PruneJob
            {
                Options = options, Train = train, Test = test, Backend = backend, From = dense, Output = r.GetValue(output)!, Resume = resumed,
                Command = "sparsecore " + string.Join(' ', args), Log = Console.WriteLine, Progress = ConsoleProgress.ForConsole,
                LatencyProfiled = r.GetValue(profile) ? (network, p) => profiles.Add((network, p)) : null,
            });
            PruneReport.Write(outcome.RunFolder, outcome.Summary);
            if (profiles.Count > 0)
                ProfileTable.Write(Path.Combine(outcome.RunFolder, "profile.md"),
                    profiles.Select(p => (p.Profiler, p.Profiler.ProfiledSeconds, $"the {p.Network} network's latency forwards (batch {options.LatencyBatch})")).ToList());
            Console.WriteLine($"report: {Path.Combine(outcome.RunFolder, PruneReport.FileName)}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Exactly one of --sparsity, --density (its complement) and --flops.</summary>
    private static PruneBudget Budget(double? sparsity, double? density, double? flops) => (sparsity, density, flops) switch
    {
        (double s, null, null) => new PruneBudget(BudgetKind.Sparsity, s),
        (null, double d, null) when d > 0 => new PruneBudget(BudgetKind.Sparsity, 1 - d),
        (null, double d, null) => throw new ArgumentException($"--density must lie in (0, 1], got {d}"),
        (null, null, double r) => new PruneBudget(BudgetKind.Flops, r),
        _ => throw new ArgumentException("give exactly one budget: --sparsity s (share pruned), --density d (weight methods: share kept) or --flops r (fraction of the dense MACs to keep)"),
    };

    private static ResidualMode ParseMode(string mode) => mode switch
    {
        "shared" => ResidualMode.Shared,
        "union" => ResidualMode.Union,
        _ => throw new ArgumentException($"--mode: unknown '{mode}'; choose shared or union"),
    };
}
