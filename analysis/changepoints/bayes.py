class BayesianChangepoints: pass
class BayesResult: pass
class EventPrior: pass
