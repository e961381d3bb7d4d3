using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Compute;
using SparseCore.Pass.Results;
using SparseCore.Tensors;

namespace SparseCore.Bench.Pruned;

/// <summary>
/// `recorded-widths CELL.json …`: a pruned network's speed against its MACs promise, timed from the
/// layer widths a sweep cell recorded (summary.layers[].kept) rather than from its checkpoint — the
/// `runs/` folders with the checkpoints stay on the machine that ran the sweep, the cells are in
/// `results/`. Speed depends on the widths, not on the weights, so both networks get random ones;
/// `ComputeProbe.Measure` times them alternately at batch 32 as `sparsecore explain` does (without a
/// prompt's few microseconds). The cell is read by the results store's own reader (<see cref="CellFile"/>);
/// the rebuilt network's MACs must equal the cell's, or it is refused.
/// `--layers` adds each conv and linear layer's row: input, MACs, time and GFLOP/s dense and pruned.
/// </summary>
internal static class RecordedWidths
{
    public const string Command = "recorded-widths";

    private const string LayersOption = "--layers";

    /// <returns>0, or 2 after a one-line error naming the file and what is wrong with it.</returns>
    public static int Run(string[] args)
    {
        bool layers = args.Contains(LayersOption);
        var cells = args.Where(a => a != LayersOption).ToArray();
        if (cells.Length == 0)
        {
            Console.Error.WriteLine($"{Command}: name one or more sweep cell files (results/…/CELL.json)");
            return 2;
        }
        using var backend = new CpuBackend();
        foreach (var path in cells)
        {
            CellRecord cell;
            try
            {
                cell = CellFile.Read(path);
            }
            catch (DataFormatException e)
            {
                Console.Error.WriteLine($"{Command}: {e.Message.ReplaceLineEndings(" ")}");
                return 2;
            }
            string model = cell.Summary.Model;
            var widths = new LayerWidths(cell.Summary.Layers.Select(l => new KeyValuePair<string, int>(l.Name, l.Kept)).ToList());
            long recorded = cell.Macs;
            Module? dense = null, pruned;
            try
            {
                dense = ModelZoo.Create(model, new ModuleInit(backend, 0), 1, 28, 28, 10);
                pruned = ModelZoo.Create(model, new ModuleInit(backend, 1), 1, 28, 28, 10, widths);
            }
            catch (ArgumentException e)
            {
                dense?.Dispose();
                Console.Error.WriteLine($"{Command}: {path}: cannot rebuild its network: {e.Message.ReplaceLineEndings(" ")}");
                return 2;
            }
            using var ownedDense = dense;
            using var ownedPruned = pruned;
            dense.Eval();
            pruned.Eval();
            var profile = ComputeProbe.Measure(dense, pruned, new Shape(32, 1, 28, 28));
            if (profile.PrunedMacs != recorded)
            {
                Console.Error.WriteLine($"{Command}: {path}: the rebuilt network has {profile.PrunedMacs} MACs, the cell recorded {recorded}");
                return 2;
            }
            Console.WriteLine($"{Path.GetFileName(path)}: dense {profile.DenseForwardMs:F2} ms, pruned {profile.PrunedForwardMs:F2} ms, " +
                              $"speed-up {profile.MeasuredSpeedup:F2} of a MACs promise of {profile.PredictedSpeedup:F2}: share {profile.MeasuredSpeedup / profile.PredictedSpeedup:F3}");
            if (layers) PrintLayers(profile);
        }
        return 0;
    }

    private static void PrintLayers(ComputeProfile p)
    {
        Console.WriteLine($"  {"layer",-18} {"input",-10} {"dense ms",9} {"GFLOP/s",8} {"pruned ms",9} {"GFLOP/s",8} {"MACs ×",7} {"time ×",7}");
        foreach (var l in p.Layers)
            Console.WriteLine($"  {l.Name,-18} {l.Input,-10} {l.DenseMs,9:F3} {ComputeProfile.Gflops(l.DenseMacs, p.Batch, l.DenseMs),8:F1} " +
                              $"{l.PrunedMs,9:F3} {ComputeProfile.Gflops(l.PrunedMacs ?? 0, p.Batch, l.PrunedMs ?? 0),8:F1} {l.PredictedSpeedup,7:F2} {l.MeasuredSpeedup,7:F2}");
        Console.WriteLine($"  {"rest",-18} {"",-10} {p.DenseRestMs,9:F3} {"",8} {p.PrunedRestMs,9:F3}");
    }
}
