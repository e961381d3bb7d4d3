using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// IMP's rounds on disk: round-N.safetensors holds the network retrained after round N with its
/// weight masks, and the settings that made it (data, seed, subset, recipe and a fingerprint of
/// the dense network). A round is reused only by a run with the same settings; any other finds a
/// clear refusal rather than another trajectory's weights.
/// </summary>
public sealed class ImpTrajectory(string folder, IReadOnlyDictionary<string, string> settings)
{
    public const string FolderName = "imp";

    public string Folder { get; } = folder;

    /// <summary>What a round depends on.</summary>
    public static Dictionary<string, string> Settings(PruneOptions s, string denseFingerprint)
    {
        var all = s.ToDictionary();
        var keys = new[] { "model", "data", "seed", "search_subset", "train_subset", "batch_size", "finetune_lr", "finetune_weight_decay", "imp_epochs" };
        var picked = keys.ToDictionary(k => "imp." + k, k => all[k]);
        picked["imp.dense"] = denseFingerprint;
        return picked;
    }

    public string PathOf(int round) => Path.Combine(Folder, $"round-{round}.safetensors");

    /// <summary>Loads round <paramref name="round"/> into <paramref name="model"/> when it was saved; its masks by weight name.</summary>
    public bool TryLoad(int round, Module model, out IReadOnlyDictionary<string, float[]> masks)
    {
        masks = new Dictionary<string, float[]>();
        string path = PathOf(round);
        if (!File.Exists(path)) return false;
        var info = Checkpoint.ReadInfo(path);
        foreach (var (key, value) in settings)
            if (!info.Settings.TryGetValue(key, out string? saved) || saved != value)
                throw new ArgumentException($"{path} is another IMP trajectory's round ({key} = '{saved}', this run has '{value}'); give another --imp-trajectory or remove it");
        Checkpoint.Load(path, model);
        masks = WeightMasks.Read(path).Masks;
        return true;
    }

    public void Save(int round, Module model, WeightMaskHold masks)
    {
        Directory.CreateDirectory(Folder);
        Checkpoint.Save(PathOf(round), CheckpointState.Of(model).With(masks.Named(model)), [], new CheckpointInfo { Epoch = round, Settings = settings });
    }
}
