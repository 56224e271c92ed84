"""``hrclinic demo``: a clinic of synthetic, clearly fictional data that shows every feature that exists.

``build`` creates the clinic and its users and runs each part in turn: ``people`` fills the registry
at the front desk and writes clinical notes, ``schedule`` books a week of appointments, ``consents``
records consents in every state. Every later feature adds its own part here, so ``hrclinic demo``
always shows all of them.
"""
