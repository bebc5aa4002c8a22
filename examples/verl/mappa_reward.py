"""verl custom reward function that asks a `mappa coach serve` server for the score.

In the verl config:
    custom_reward_function:
      path: examples/verl/mappa_reward.py
      name: compute_score

Environment:
    MAPPA_REWARD_URL   server URL (default http://127.0.0.1:5000)
    MAPPA_REWARD_ROLE  role of the agent being scored (default: the server's --role)
    MAPPA_REWARD_KEY   API key, when the server was started with --api-key-env

Standard library only (urllib), so it runs in any verl worker.
"""

import json
import os
import urllib.request


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    extra_info = extra_info or {}
    action = {
        "task": {"id": str(extra_info.get("index", data_source)), "prompt": str(extra_info.get("question", ""))},
        "agent": {"id": "agent", "role": os.environ.get("MAPPA_REWARD_ROLE", "Assistant")},
        "action": solution_str,
    }
    if ground_truth is not None and ground_truth != "":
        action["groundTruth"] = ground_truth
    headers = {"content-type": "application/json"}
    if os.environ.get("MAPPA_REWARD_KEY"):
        headers["authorization"] = "Bearer " + os.environ["MAPPA_REWARD_KEY"]
    url = os.environ.get("MAPPA_REWARD_URL", "http://127.0.0.1:5000").rstrip("/") + "/v1/evaluate"
    request = urllib.request.Request(url, data=json.dumps(action).encode("utf-8"), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=600) as response:
        body = json.load(response)
    evaluation = body["evaluation"]
    # verl logs every key besides "score" as reward_extra_info, so fallbacks show up in its metrics.
    return {
        "score": body["reward"],
        "coach_score": evaluation["score"],
        "coach_fallback": 1.0 if evaluation["flags"]["fallback"] else 0.0,
    }
