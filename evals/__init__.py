"""Answer-accuracy, citation, retrieval and extraction evals; `python -m evals run|compare|claims`."""
