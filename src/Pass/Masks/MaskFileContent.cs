namespace SparseCore.Pass.Masks;

/// <summary>What a masks.json holds: one 0/1 vector per distinct mask of the channel graph, in mask order, and its free-form run information.</summary>
public sealed record MaskFileContent(IReadOnlyList<float[]> Masks, IReadOnlyDictionary<string, string> Info);
