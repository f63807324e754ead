"""Ask without a language model: a deterministic question parser driven by the catalog and the data's values.

`parser.parse` maps a question in plain words to one contract query (with ranked alternatives and the
question as it was understood, in words), or says it cannot; `values` reads the index of non-sensitive
dimension values it matches against; `service` answers `/api/ask` with it when no model is configured.
Nothing here needs model weights or the network.
"""
